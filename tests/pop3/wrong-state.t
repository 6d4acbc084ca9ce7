# A command in the wrong state is -ERR (RFC 1939 3) and changes nothing:
# TRANSACTION commands before login, USER/PASS/APOP after it.
!pop3d max_errors = 100
!file users alice@example.test:s3cret\n
!msg example.test/alice new/1000.A.host,S=14,W=14 Subject: a\r\n\r\n
S: +OK cartero POP3 ready *
C: STAT
S: -ERR Command not valid in this state
C: LIST
S: -ERR Command not valid in this state
C: LIST 1
S: -ERR Command not valid in this state
C: UIDL
S: -ERR Command not valid in this state
C: RETR 1
S: -ERR Command not valid in this state
C: TOP 1 0
S: -ERR Command not valid in this state
C: DELE 1
S: -ERR Command not valid in this state
C: NOOP
S: -ERR Command not valid in this state
C: RSET
S: -ERR Command not valid in this state
C: PASS s3cret
S: -ERR USER first
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 1 messages (14 octets)
C: USER alice@example.test
S: -ERR Command not valid in this state
C: PASS s3cret
S: -ERR Command not valid in this state
C: APOP alice@example.test 0123456789abcdef0123456789abcdef
S: -ERR Command not valid in this state
C: STAT
S: +OK 1 14
C: QUIT
S: +OK cartero POP3 signing off (1 messages left)
S: <EOF>
!exists example.test/alice cur/1000.A.host,S=14,W=14:2,
!nolog s3cret
!log errors=13
