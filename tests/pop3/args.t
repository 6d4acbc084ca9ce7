# Unknown commands, missing and extra arguments, and bad message numbers
# are -ERR and change nothing (RFC 1939 3, 5).
!pop3d max_errors = 100
!file users alice@example.test:s3cret\n
!msg example.test/alice new/1000.A.host,S=14,W=14 Subject: a\r\n\r\n
!msg example.test/alice new/1001.B.host,S=14,W=14 Subject: b\r\n\r\n
S: +OK cartero POP3 ready *
C: HELO there
S: -ERR Unknown command
C: XYZZY
S: -ERR Unknown command
C: USE alice@example.test
S: -ERR Unknown command
C:
S: -ERR Unknown command
C:  USER alice@example.test
S: -ERR Unknown command
C: USER
S: -ERR Syntax error in arguments
C: USER alice@example.test extra
S: -ERR Syntax error in arguments
C: QUIT now
S: -ERR Syntax error in arguments
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 2 messages (28 octets)
C: STATUS
S: -ERR Unknown command
C: STAT 1
S: -ERR Syntax error in arguments
C: NOOP x
S: -ERR Syntax error in arguments
C: RSET x
S: -ERR Syntax error in arguments
C: LIST 1 2
S: -ERR Syntax error in arguments
C: UIDL 1 2
S: -ERR Syntax error in arguments
C: RETR
S: -ERR Syntax error in arguments
C: RETR 1 2
S: -ERR Syntax error in arguments
C: DELE
S: -ERR Syntax error in arguments
C: DELE 1 2
S: -ERR Syntax error in arguments
C: RETR 0
S: -ERR No such message
C: RETR -1
S: -ERR Syntax error in arguments
C: RETR 1a
S: -ERR Syntax error in arguments
C: RETR 3
S: -ERR No such message
C: RETR 99999999999
S: -ERR No such message
C: RETR 18446744073709551617
S: -ERR No such message
C: LIST 0
S: -ERR No such message
C: LIST 3
S: -ERR No such message
C: LIST +1
S: -ERR Syntax error in arguments
C: UIDL 0
S: -ERR No such message
C: UIDL 3
S: -ERR No such message
C: DELE 0
S: -ERR No such message
C: DELE -1
S: -ERR Syntax error in arguments
C: DELE 1a
S: -ERR Syntax error in arguments
C: DELE 3
S: -ERR No such message
C: DELE 99999999999
S: -ERR No such message
C: QUIT now
S: -ERR Syntax error in arguments
C: STAT
S: +OK 2 28
C: QUIT
S: +OK cartero POP3 signing off (2 messages left)
S: <EOF>
!count example.test/alice new 0
!count example.test/alice cur 2
!log update result=ok deleted=0
!log reason=quit retrieved=0 errors=35
