# DELE + QUIT removes exactly the marked files, from new/ and cur/, and
# the UIDLs of the rest stay the same in the next session (tested here by
# the names: the unique part before ',' or ':' is kept).
!file users alice@example.test:s3cret\n
!msg example.test/alice new/1000.A.host,S=14,W=14 Subject: a\r\n\r\n
!msg example.test/alice new/1001.B.host,S=14,W=14 Subject: b\r\n\r\n
!msg example.test/alice cur/1002.C.host,S=14,W=14:2,S Subject: c\r\n\r\n
!msg example.test/alice cur/1003.D.host,S=14,W=14:2,S Subject: d\r\n\r\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 4 messages (56 octets)
C: DELE 2
S: +OK Message deleted
C: DELE 3
S: +OK Message deleted
C: QUIT
S: +OK cartero POP3 signing off (2 messages left)
S: <EOF>
!gone example.test/alice new/1001.B.host,S=14,W=14
!gone example.test/alice cur/1002.C.host,S=14,W=14:2,S
!exists example.test/alice cur/1000.A.host,S=14,W=14:2,
!exists example.test/alice cur/1003.D.host,S=14,W=14:2,S
!count example.test/alice new 0
!count example.test/alice cur 2
!log event=update result=ok deleted=2 retrieved=0
