# AUTH before HELO/EHLO is a sequence error (503 5.5.1), not an AUTH
# exchange: nothing is verified or logged as an auth event.
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
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 503 5.5.1 Send HELO/EHLO first
C: AUTH LOGIN
S: 503 5.5.1 Send HELO/EHLO first
C: MAIL FROM:<alice@example.test>
S: 503 5.5.1 Send HELO/EHLO first
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250-AUTH PLAIN LOGIN*
S: 250 CHUNKING
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 235 2.7.0 Authentication successful
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log code=503 status=5.5.1 cmd=AUTH text="Send HELO/EHLO first"
!log event=auth result=ok
!nolog event=auth result=fail
!nolog s3cr3t-alice
!nolog czNjcjN0LWFsaWNl
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
