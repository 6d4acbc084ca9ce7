# A failed PASS is -ERR [AUTH] (RFC 2449 8, RFC 3206) whether the user is
# unknown, the password is wrong, or only its spaces differ; the USER is
# forgotten, so a second PASS needs a new USER; two failures stay under the
# default max_auth_failures (3) and a correct login still works.
!file users alice@example.test:s3cret\ncarol@example.test:a b\n
S: +OK cartero POP3 ready *
C: PASS s3cret
S: -ERR USER first
C: USER alice@example.test
S: +OK Send PASS
C: PASS wrong
S: -ERR [AUTH] Authentication failed
C: PASS s3cret
S: -ERR USER first
C: USER carol@example.test
S: +OK Send PASS
C: PASS a  b
S: -ERR [AUTH] Authentication failed
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 0 messages (0 octets)
C: QUIT
S: +OK cartero POP3 signing off (0 messages left)
S: <EOF>
!log event=auth result=fail user="alice@example.test"
!log event=auth result=fail user="carol@example.test"
!log event=auth result=ok user="alice@example.test"
!nolog wrong
!nolog s3cret
