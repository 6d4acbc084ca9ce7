# Wrong credentials all get the same 535 5.7.8: a wrong password for a
# {PLAIN} user and for a {SHA512-CRYPT} user, a user nobody knows, a
# password differing only in case, authcid case-insensitive but password
# wrong, and an empty PLAIN message ("=").  Then the right password still
# works (max_auth_failures is raised here so the brakes do not end the
# session).  The log names the user, never the password tried.
# Users for these transcripts (users file, passwd plugin):
#   alice@example.test  {PLAIN}        s3cr3t-alice
#   bob@example.test    {SHA512-CRYPT} hunter2-bob
!file users alice@example.test:{PLAIN}s3cr3t-alice\n
!file users bob@example.test:{SHA512-CRYPT}$6$cArTeRoSaLt$tpkvHGnNqEpdUUH.SwewQYNs.2vdlujkPgqTXy55BK8Q8Cuub2cYNXvFqzFod4dIYjCd9Qju6B6eK7JsmInAp0\n
!conf [smtpd]
!conf auth = passwd
!conf auth_requires_tls = no
!conf auth_delay = 50
!conf max_auth_failures = 10
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
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdAB3cm9uZy1wYXNz
S: 535 5.7.8 Authentication credentials invalid
C: AUTH PLAIN AGJvYkBleGFtcGxlLnRlc3QAczNjcjN0LWFsaWNl
S: 535 5.7.8 Authentication credentials invalid
C: AUTH PLAIN AG5vYm9keUBleGFtcGxlLnRlc3QAczNjcjN0LWFsaWNl
S: 535 5.7.8 Authentication credentials invalid
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABTM2NyM3QtYWxpY2U=
S: 535 5.7.8 Authentication credentials invalid
C: AUTH PLAIN =
S: 535 5.7.8 Authentication credentials invalid
C: AUTH PLAIN AEJPQkBFeGFtcGxlLlRlc3QAaHVudGVyMi1ib2I=
S: 235 2.7.0 Authentication successful
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log event=auth result=fail mech=PLAIN user="alice@example.test" ip=192.0.2.7
!log event=auth result=fail mech=PLAIN user="bob@example.test" ip=192.0.2.7
!log event=auth result=fail mech=PLAIN user="nobody@example.test" ip=192.0.2.7
!log event=auth result=ok mech=PLAIN user="BOB@Example.Test" ip=192.0.2.7
!nolog wrong-pass
!nolog S3cr3t-alice
!nolog AGFsaWNlQGV4YW1wbGUudGVzdAB3cm9uZy1wYXNz
!nolog AGJvYkBleGFtcGxlLnRlc3QAczNjcjN0LWFsaWNl
!nolog s3cr3t-alice
!nolog czNjcjN0LWFsaWNl
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
!nolog hunter2-bob
!nolog aHVudGVyMi1ib2I=
!nolog AGJvYkBleGFtcGxlLnRlc3QAaHVudGVyMi1ib2I=
