# AUTH LOGIN (draft-murchison-sasl-login): challenges "Username:" and
# "Password:" in base64.  A wrong password first (535, logged as a failure
# with the user), then LOGIN with the user name as initial response, which
# skips straight to "Password:".
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
C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
C: YWxpY2VAZXhhbXBsZS50ZXN0
S: 334 UGFzc3dvcmQ6
C: d3JvbmctcGFzcw==
S: 535 5.7.8 Authentication credentials invalid
C: AUTH LOGIN YWxpY2VAZXhhbXBsZS50ZXN0
S: 334 UGFzc3dvcmQ6
C: czNjcjN0LWFsaWNl
S: 235 2.7.0 Authentication successful
C: MAIL FROM:<alice@example.test>
S: 250 2.1.0 Sender ok
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: Subject: login
C:
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!header example.test/bob *(Authenticated sender: alice@example.test)
!log event=auth result=fail mech=LOGIN user="alice@example.test" ip=192.0.2.7
!log event=auth result=ok mech=LOGIN user="alice@example.test" ip=192.0.2.7
!log code=535 status=5.7.8 cmd=AUTH
!nolog wrong-pass
!nolog d3JvbmctcGFzcw==
!nolog s3cr3t-alice
!nolog czNjcjN0LWFsaWNl
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
