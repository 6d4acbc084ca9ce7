# Sizes are the octets RETR sends (RFC 1939 11): an LF-stored message
# without ,W= counts each LF as 2; ,W= in the name is trusted as is;
# RETR turns LF into CRLF, stuffs dots (not counted), and ends a last line
# that has no newline before the terminating dot (counted: it is sent).
# A W= after the ':' is a flag, not a size.
!file users alice@example.test:s3cret\n
!msg example.test/alice new/2000.C.host Subject: x\n\nline\n
!msg example.test/alice new/2001.D.host Subject: y\n\n.dot\nend
!msg example.test/alice new/2002.E.host,S=14,W=999 Subject: w\r\n\r\n
!msg example.test/alice new/2003.F.host a\r\nb\nc\r\n
!msg example.test/alice cur/2004.G.host:2,W=5 Subject: z\r\n\r\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 5 messages (1067 octets)
C: LIST
S: +OK Scan listing follows
S: 1 20
S: 2 25
S: 3 999
S: 4 9
S: 5 14
S: .
C: STAT
S: +OK 5 1067
C: RETR 1
S: +OK 20 octets
S: Subject: x
S:
S: line
S: .
C: RETR 2
S: +OK 25 octets
S: Subject: y
S:
S: ..dot
S: end
S: .
C: RETR 4
S: +OK 9 octets
S: a
S: b
S: c
S: .
C: QUIT
S: +OK cartero POP3 signing off (5 messages left)
S: <EOF>
!exists example.test/alice cur/2000.C.host:2,S
!exists example.test/alice cur/2001.D.host:2,S
!exists example.test/alice cur/2002.E.host,S=14,W=999:2,
!exists example.test/alice cur/2003.F.host:2,S
!exists example.test/alice cur/2004.G.host:2,W=5
