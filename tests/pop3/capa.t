# CAPA (RFC 2449 5) in AUTHORIZATION and in TRANSACTION: the same exact
# list both times (everything offered before login is still offered).
!file users alice@example.test:s3cret\n
S: +OK cartero POP3 ready *
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
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 0 messages (0 octets)
C: capa
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
C: CAPA x
S: -ERR Syntax error in arguments
C: QUIT
S: +OK cartero POP3 signing off (0 messages left)
S: <EOF>
