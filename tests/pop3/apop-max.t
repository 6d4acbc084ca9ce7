# APOP failures count toward max_auth_failures (default 3) like PASS ones.
!file users alice@example.test:s3cret\n
S: +OK cartero POP3 ready *
C: APOP alice@example.test 0123456789abcdef0123456789abcdef
S: -ERR [AUTH] Authentication failed
C: USER alice@example.test
S: +OK Send PASS
C: PASS nope
S: -ERR [AUTH] Authentication failed
C: APOP alice@example.test 0123456789abcdef0123456789abcdef
S: -ERR [AUTH] Too many authentication failures; closing
S: <EOF>
!log reason=auth-failures
