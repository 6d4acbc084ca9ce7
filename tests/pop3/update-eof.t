# A session that ends without QUIT (here: EOF) never enters UPDATE
# (RFC 1939 6): the DELE is forgotten, nothing moves from new/ to cur/,
# and RETR adds no Seen flag.
!file users alice@example.test:s3cret\n
!msg example.test/alice new/1000.A.host,S=14,W=14 Subject: a\r\n\r\n
!msg example.test/alice cur/1001.B.host,S=14,W=14:2,F Subject: b\r\n\r\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 2 messages (28 octets)
C: RETR 2
S: +OK 14 octets
S: Subject: b
S:
S: .
C: DELE 1
S: +OK Message deleted
!shutdown
S: <EOF>
!exists example.test/alice new/1000.A.host,S=14,W=14
!exists example.test/alice cur/1001.B.host,S=14,W=14:2,F
!count example.test/alice new 1
!count example.test/alice cur 1
!nolog event=update
!log reason=eof
