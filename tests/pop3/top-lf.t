# TOP on a message stored with LF line ends (no ,W=): lines are counted the
# same and sent with CRLF; the size is the CRLF size.
!file users alice@example.test:s3cret\n
!msg example.test/alice new/2000.C.host Subject: x\n\nb1\nb2\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 1 messages (22 octets)
C: TOP 1 1
S: +OK 22 octets
S: Subject: x
S:
S: b1
S: .
C: TOP 1 0
S: +OK 22 octets
S: Subject: x
S:
S: .
C: QUIT
S: +OK cartero POP3 signing off (1 messages left)
S: <EOF>
!exists example.test/alice cur/2000.C.host:2,
