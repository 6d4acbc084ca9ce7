# max_auth_failures = 2: the second failure closes; [AUTH] failures do not
# count toward max_errors.  Nothing after the closing reply is executed.
!pop3d max_auth_failures = 2
!pop3d max_errors = 1
!file users alice@example.test:s3cret\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS x
S: -ERR [AUTH] Authentication failed
C: USER alice@example.test
C: PASS y
C: USER alice@example.test
C: PASS s3cret
S: +OK Send PASS
S: -ERR [AUTH] Too many authentication failures; closing
S: <EOF>
!log reason=auth-failures
!nolog result=ok
