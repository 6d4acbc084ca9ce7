# max_errors: the error that reaches it is answered, then "-ERR Too many
# errors; closing" and EOF, without UPDATE.  -ERR [AUTH] replies do not
# count; every other -ERR does (unknown, syntax, wrong state, too long).
!pop3d max_errors = 4
!file users alice@example.test:s3cret\n
!msg example.test/alice new/1000.A.host,S=14,W=14 Subject: a\r\n\r\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS bad
S: -ERR [AUTH] Authentication failed
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 1 messages (14 octets)
C: DELE 1
S: +OK Message deleted
C: XYZZY
S: -ERR Unknown command
C: USER x
S: -ERR Command not valid in this state
C: RETR 9
S: -ERR No such message
C: STAT
S: +OK 0 0
C: LIST 1
S: -ERR Message already deleted
S: -ERR Too many errors; closing
S: <EOF>
!exists example.test/alice new/1000.A.host,S=14,W=14
!nolog event=update
!log reason=errors
