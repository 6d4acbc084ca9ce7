# The auth backend failing is -ERR [SYS/TEMP] (RFC 3206), for PASS and for
# APOP; it is not a failed login, so it never trips max_auth_failures (3).
!conf down = yes
!file users alice@example.test:s3cret\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: -ERR [SYS/TEMP] Authentication backend unavailable; try again later
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: -ERR [SYS/TEMP] Authentication backend unavailable; try again later
C: APOP alice@example.test 0123456789abcdef0123456789abcdef
S: -ERR [SYS/TEMP] Authentication backend unavailable; try again later
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: -ERR [SYS/TEMP] Authentication backend unavailable; try again later
C: CAPA
S: +OK Capability list follows
S: TOP
S: USER
S: UIDL
S: PIPELINING
S: RESP-CODES
S: AUTH-RESP-CODE
S: SASL PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256
S: IMPLEMENTATION cartero
S: .
C: QUIT
S: +OK cartero POP3 signing off
S: <EOF>
!log event=auth result=tempfail user="alice@example.test" ip=192.0.2.7 error="told to be down"
!nolog result=fail
!nolog result=ok
!nolog s3cret
