# Which mechanisms EHLO lists: CRAM-MD5 needs a per-user secret, which the
# passwd plugin can only open with [plugin passwd] key.  Without a key no
# user can ever pass CRAM-MD5, so it is not offered: "AUTH PLAIN LOGIN",
# and AUTH CRAM-MD5 is an unknown mechanism (504 5.5.4) rather than a
# challenge that always ends in 535 (and counts as a failed login for
# clients like Python's smtplib, which try CRAM-MD5 first).
# Users for these transcripts (users file, passwd plugin):
#   alice@example.test  {PLAIN}        s3cr3t-alice
#   bob@example.test    {SHA512-CRYPT} hunter2-bob
!file users alice@example.test:{PLAIN}s3cr3t-alice\n
!file users bob@example.test:{SHA512-CRYPT}$6$cArTeRoSaLt$tpkvHGnNqEpdUUH.SwewQYNs.2vdlujkPgqTXy55BK8Q8Cuub2cYNXvFqzFod4dIYjCd9Qju6B6eK7JsmInAp0\n
!conf [smtpd]
!conf auth = passwd
!conf auth_requires_tls = no
!conf auth_delay = 50
!conf [plugin passwd]
!conf file = users
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250-AUTH PLAIN LOGIN
S: 250 CHUNKING
C: AUTH CRAM-MD5
S: 504 5.5.4 Unrecognized authentication type
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
