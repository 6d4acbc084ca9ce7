# An unknown user, a user without a local domain, and an empty password all
# fail alike with [AUTH]; the third failure (max_auth_failures defaults to 3)
# closes the session after the [AUTH] reply.
!file users alice@example.test:s3cret\ndave@nowhere.test:pw\n
S: +OK cartero POP3 ready *
C: USER nobody@example.test
S: +OK Send PASS
C: PASS s3cret
S: -ERR [AUTH] Authentication failed
C: USER dave@nowhere.test
S: +OK Send PASS
C: PASS pw
S: -ERR [AUTH] Authentication failed
C: USER alice@example.test
S: +OK Send PASS
C: PASS
S: -ERR [AUTH] Too many authentication failures; closing
S: <EOF>
!log reason=auth-failures
!nolog result=ok
