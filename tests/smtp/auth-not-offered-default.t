# auth_requires_tls defaults to yes and auth_cleartext_from to empty
# (loopback is not trusted either): with only auth = passwd set, AUTH is
# not offered on a cleartext connection and is refused 538 5.7.11.
# Users for these transcripts (users file, passwd plugin):
#   alice@example.test  {PLAIN}        s3cr3t-alice
#   bob@example.test    {SHA512-CRYPT} hunter2-bob
!file users alice@example.test:{PLAIN}s3cr3t-alice\n
!file users bob@example.test:{SHA512-CRYPT}$6$cArTeRoSaLt$tpkvHGnNqEpdUUH.SwewQYNs.2vdlujkPgqTXy55BK8Q8Cuub2cYNXvFqzFod4dIYjCd9Qju6B6eK7JsmInAp0\n
!conf [smtpd]
!conf auth = passwd
!conf [relay]
!conf store = maildir
!conf path = relay/%d/%u
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
S: 250 CHUNKING
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 538 5.7.11 Encryption required for requested authentication mechanism
C: AUTH LOGIN
S: 538 5.7.11 Encryption required for requested authentication mechanism
C: AUTH FOO
S: 538 5.7.11 Encryption required for requested authentication mechanism
C: MAIL FROM:<alice@example.test>
S: 250 2.1.0 Sender ok
C: RCPT TO:<carol@remote.example>
S: 550 5.7.1 Relaying denied
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log code=538 status=5.7.11 cmd=AUTH
!nolog event=auth 
!nolog passwd
!nolog s3cr3t-alice
!nolog czNjcjN0LWFsaWNl
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
