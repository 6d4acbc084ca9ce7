# TOP msg n (RFC 1939 7): the header, the blank line, n body lines; the
# whole message when n exceeds the body (however many digits n has); a
# message whose first line is empty has an empty header; byte-stuffing
# applies; TOP marks nothing seen.
!file users alice@example.test:s3cret\n
!msg example.test/alice new/1000.A.host,S=52,W=52 Subject: a\r\nX: y\r\n\r\nline 1\r\n.line 2\r\nline 3\r\n
!msg example.test/alice new/1001.B.host,S=17,W=17 \r\nfirst\r\nsecond\r\n
!msg example.test/alice new/1002.C.host,S=22,W=22 Subject: c\r\nX: only\r\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 3 messages (91 octets)
C: TOP 1 0
S: +OK 52 octets
S: Subject: a
S: X: y
S:
S: .
C: TOP 1 1
S: +OK 52 octets
S: Subject: a
S: X: y
S:
S: line 1
S: .
C: TOP 1 2
S: +OK 52 octets
S: Subject: a
S: X: y
S:
S: line 1
S: ..line 2
S: .
C: TOP 1 3
S: +OK 52 octets
S: Subject: a
S: X: y
S:
S: line 1
S: ..line 2
S: line 3
S: .
C: TOP 1 100
S: +OK 52 octets
S: Subject: a
S: X: y
S:
S: line 1
S: ..line 2
S: line 3
S: .
C: TOP 1 99999999999999999999999999999999
S: +OK 52 octets
S: Subject: a
S: X: y
S:
S: line 1
S: ..line 2
S: line 3
S: .
C: TOP 2 0
S: +OK 17 octets
S:
S: .
C: TOP 2 1
S: +OK 17 octets
S:
S: first
S: .
C: TOP 3 0
S: +OK 22 octets
S: Subject: c
S: X: only
S: .
C: TOP 1 x
S: -ERR Syntax error in arguments
C: TOP 1 -1
S: -ERR Syntax error in arguments
C: TOP 1 +1
S: -ERR Syntax error in arguments
C: TOP 1 1a
S: -ERR Syntax error in arguments
C: TOP 4 0
S: -ERR No such message
C: TOP 0 0
S: -ERR No such message
C: TOP 1
S: -ERR Syntax error in arguments
C: TOP
S: -ERR Syntax error in arguments
C: TOP 1 1 1
S: -ERR Syntax error in arguments
C: QUIT
S: +OK cartero POP3 signing off (3 messages left)
S: <EOF>
!exists example.test/alice cur/1000.A.host,S=52,W=52:2,
!exists example.test/alice cur/1001.B.host,S=17,W=17:2,
!exists example.test/alice cur/1002.C.host,S=22,W=22:2,
!log retrieved=0
