# The users file cannot be read: a backend failure, 454 4.7.0 (RFC 4954
# 6), not 535; logged as result=tempfail with the reason.  It is not the
# client's fault: no brakes, the session stays open past
# max_auth_failures tries.  RCPT to a local user, which asks the same
# plugin whether the user exists, is 451 4.3.0 (never 550).
!file users alice@example.test:{PLAIN}s3cr3t-alice\n
!file users bob@example.test:{SHA512-CRYPT}$6$cArTeRoSaLt$tpkvHGnNqEpdUUH.SwewQYNs.2vdlujkPgqTXy55BK8Q8Cuub2cYNXvFqzFod4dIYjCd9Qju6B6eK7JsmInAp0\n
!conf [smtpd]
!conf auth = passwd
!conf auth_requires_tls = no
!conf auth_delay = 50
!conf [plugin passwd]
!conf file = missing-users
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
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 454 4.7.0 Temporary authentication failure
C: AUTH LOGIN YWxpY2VAZXhhbXBsZS50ZXN0
S: 334 UGFzc3dvcmQ6
C: czNjcjN0LWFsaWNl
S: 454 4.7.0 Temporary authentication failure
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 454 4.7.0 Temporary authentication failure
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 454 4.7.0 Temporary authentication failure
C: NOOP
S: 250 2.0.0 Ok
C: MAIL FROM:<carol@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 451 4.3.0 Temporary recipient lookup failure; try again later
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log event=auth result=tempfail mech=PLAIN user="alice@example.test"
!log missing-users: No such file or directory
!nolog Too many authentication failures
!nolog s3cr3t-alice
!nolog czNjcjN0LWFsaWNl
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
