# A line ended by a bare LF, or holding a bare CR, or a NUL, is -ERR and
# never executed (RFC-NOTES 5.2); the session goes on.
!file users alice@example.test:s3cret\n
!msg example.test/alice new/1000.A.host,S=14,W=14 Subject: a\r\n\r\n
S: +OK cartero POP3 ready *
C> USER alice@example.test\n
S: -ERR Command line not terminated by CRLF
C: PASS s3cret
S: -ERR USER first
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 1 messages (14 octets)
C> DELE 1\n
S: -ERR Command line not terminated by CRLF
C> QUIT\n
S: -ERR Command line not terminated by CRLF
C> DELE 1\rQUIT\r\n
S: -ERR Command line not terminated by CRLF
C> DELE\x001\r\n
S: -ERR NUL character in command
C> \n
S: -ERR Command line not terminated by CRLF
C: STAT
S: +OK 1 14
C: QUIT
S: +OK cartero POP3 signing off (1 messages left)
S: <EOF>
!exists example.test/alice cur/1000.A.host,S=14,W=14:2,
!log errors=7
!log event=update result=ok deleted=0
