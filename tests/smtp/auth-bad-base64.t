# Data that is not strict base64 is refused 501 5.5.2 (RFC 4954 4:
# characters outside the alphabet and a misplaced "=" are errors, never
# skipped), in the initial response and in a continuation line, for PLAIN
# and LOGIN.  None of them logs the client in, and none counts as a
# failed login (the right password works afterwards).
# NOTE: the expected "S: 334 " lines end with a space.
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
C: AUTH PLAIN =AAA
S: 501 5.5.2 Invalid base64 data
C: AUTH PLAIN AAA=BBB
S: 501 5.5.2 Invalid base64 data
C: AUTH PLAIN AAA=BBBB
S: 501 5.5.2 Invalid base64 data
C: AUTH PLAIN !!!!
S: 501 5.5.2 Invalid base64 data
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U
S: 501 5.5.2 Invalid base64 data
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=AAAA
S: 501 5.5.2 Invalid base64 data
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUu_GVzdABzM2NyM3QtYWxpY2U=
S: 501 5.5.2 Invalid base64 data
C: AUTH PLAIN
S: 334 
C: =AAA
S: 501 5.5.2 Invalid base64 data
C: AUTH PLAIN
S: 334 
C: AGFsaWNlQGV4YW1wbGUudGVz dABzM2NyM3QtYWxpY2U=
S: 501 5.5.2 Invalid base64 data
C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
C: YWxpY2VAZXhhbXBsZS50ZXN0=
S: 501 5.5.2 Invalid base64 data
C: AUTH LOGIN YWxpY2VAZXhhbXBsZS50ZXN0
S: 334 UGFzc3dvcmQ6
C: czNjcjN0LWFsaWNl!
S: 501 5.5.2 Invalid base64 data
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 235 2.7.0 Authentication successful
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log code=501 status=5.5.2 cmd=AUTH text="Invalid base64 data"
!log event=auth result=ok mech=PLAIN user="alice@example.test"
!nolog Too many authentication failures
!nolog czNjcjN0LWFsaWNl!
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=AAAA
!nolog s3cr3t-alice
!nolog czNjcjN0LWFsaWNl
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
