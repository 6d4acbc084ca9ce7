# A malformed users-file line for one user (carol: no {SCHEME}) makes only
# carol fail, as a wrong password would (535, not 454), and the log names
# file:line; alice and bob, before and after it, still log in.
# Users for these transcripts (users file, passwd plugin):
#   alice@example.test  {PLAIN}        s3cr3t-alice
#   bob@example.test    {SHA512-CRYPT} hunter2-bob
!file users alice@example.test:{PLAIN}s3cr3t-alice\n
!file users carol@example.test:c4rol\n
!file users bob@example.test:{SHA512-CRYPT}$6$cArTeRoSaLt$tpkvHGnNqEpdUUH.SwewQYNs.2vdlujkPgqTXy55BK8Q8Cuub2cYNXvFqzFod4dIYjCd9Qju6B6eK7JsmInAp0\n
!conf [smtpd]
!conf auth = passwd
!conf auth_requires_tls = no
!conf auth_delay = 1
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
S: 250-AUTH PLAIN LOGIN*
S: 250 CHUNKING
C: AUTH PLAIN AGNhcm9sQGV4YW1wbGUudGVzdABjNHJvbA==
S: 535 5.7.8 Authentication credentials invalid
C: AUTH PLAIN AGJvYkBleGFtcGxlLnRlc3QAaHVudGVyMi1ib2I=
S: 235 2.7.0 Authentication successful
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log users:2: malformed line for this user"
!log event=auth result=fail mech=PLAIN user="carol@example.test"
!log event=auth result=ok mech=PLAIN user="bob@example.test"
!nolog c4rol
!nolog result=tempfail
