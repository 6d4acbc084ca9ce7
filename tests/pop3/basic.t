# Login, STAT, LIST, UIDL, RETR with byte-stuffing, DELE, QUIT.
!file users alice@example.test:s3cret\n
!msg example.test/alice new/1000.A.host,S=26,W=26 Subject: a\r\n\r\n.hidden\r\n..x\r\n
!msg example.test/alice cur/1001.B.host,S=14,W=14:2,S Subject: b\r\n\r\n
S: +OK cartero POP3 ready <*@mx.example.test>
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 2 messages (40 octets)
C: STAT
S: +OK 2 40
C: LIST
S: +OK Scan listing follows
S: 1 26
S: 2 14
S: .
C: UIDL
S: +OK Unique-ID listing follows
S: 1 1000.A.host
S: 2 1001.B.host
S: .
C: RETR 1
S: +OK 26 octets
S: Subject: a
S:
S: ..hidden
S: ...x
S: .
C: DELE 1
S: +OK Message deleted
C: QUIT
S: +OK cartero POP3 signing off (1 messages left)
S: <EOF>
!gone example.test/alice new/1000.A.host,S=26,W=26
!exists example.test/alice cur/1001.B.host,S=14,W=14:2,S
!count example.test/alice new 0
!log event=update result=ok deleted=1
