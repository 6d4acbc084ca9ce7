# Pipelined commands after the closing "Too many errors" are never run.
!pop3d max_errors = 2
!file users alice@example.test:s3cret\n
!msg example.test/alice new/1000.A.host,S=14,W=14 Subject: a\r\n\r\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 1 messages (14 octets)
C: DELE 1
C: BOGUS
C: BOGUS
C: QUIT
S: +OK Message deleted
S: -ERR Unknown command
S: -ERR Unknown command
S: -ERR Too many errors; closing
S: <EOF>
!exists example.test/alice new/1000.A.host,S=14,W=14
!nolog event=update
!log reason=errors
