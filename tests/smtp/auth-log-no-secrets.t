# The mechanism name is client data: it must not carry anything into the
# log unquoted.  A client that separates the mechanism from its initial
# response with a TAB instead of a space must not get its credentials
# written to the log, and a TAB cannot forge a second key=value (the last
# !nolog holds a literal TAB).
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
S: 250-AUTH PLAIN LOGIN*
S: 250 CHUNKING
C> AUTH PLAIN\tAGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=\r\n
S: 5*
C> AUTH FOO\tresult=ok\r\n
S: 504 5.5.4 Unrecognized authentication type
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!nolog s3cr3t-alice
!nolog czNjcjN0LWFsaWNl
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
!nolog 	result=ok
