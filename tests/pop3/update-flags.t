# UPDATE: messages are numbered in name order across new/ and cur/; the
# DELE'd one (and only it) is removed; retrieved cur/ messages gain S in
# ASCII flag order (FR -> FRS, T -> ST, a keyword stays after S); a flag
# set that already has S, and messages not retrieved, keep their names; a
# cur/ name without info gets ":2,S" when retrieved.  Dot files and tmp/
# are not messages: not listed, not touched.
!file users alice@example.test:s3cret\n
!msg example.test/alice cur/1003.D.host,S=14,W=14:2,FR Subject: d\r\n\r\n
!msg example.test/alice new/1001.B.host,S=14,W=14 Subject: b\r\n\r\n
!msg example.test/alice cur/1000.A.host,S=14,W=14:2,T Subject: a\r\n\r\n
!msg example.test/alice new/1002.C.host,S=14,W=14 Subject: c\r\n\r\n
!msg example.test/alice cur/1004.E.host,S=14,W=14:2,RS Subject: e\r\n\r\n
!msg example.test/alice cur/1005.F.host,S=14,W=14:2,Fa Subject: f\r\n\r\n
!msg example.test/alice cur/1006.G.host,S=14,W=14 Subject: g\r\n\r\n
!msg example.test/alice cur/1007.H.host,S=14,W=14:2,D Subject: h\r\n\r\n
!msg example.test/alice new/.0999.junk x\r\n
!msg example.test/alice cur/.0999.junk:2, x\r\n
!msg example.test/alice tmp/0999.T.host x\r\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 8 messages (112 octets)
C: UIDL
S: +OK Unique-ID listing follows
S: 1 1000.A.host
S: 2 1001.B.host
S: 3 1002.C.host
S: 4 1003.D.host
S: 5 1004.E.host
S: 6 1005.F.host
S: 7 1006.G.host
S: 8 1007.H.host
S: .
C: RETR 1
S: +OK 14 octets
S: Subject: a
S:
S: .
C: RETR 4
S: +OK 14 octets
S: Subject: d
S:
S: .
C: RETR 5
S: +OK 14 octets
S: Subject: e
S:
S: .
C: RETR 6
S: +OK 14 octets
S: Subject: f
S:
S: .
C: RETR 7
S: +OK 14 octets
S: Subject: g
S:
S: .
C: DELE 2
S: +OK Message deleted
C: QUIT
S: +OK cartero POP3 signing off (7 messages left)
S: <EOF>
!exists example.test/alice cur/1000.A.host,S=14,W=14:2,ST
!gone example.test/alice new/1001.B.host,S=14,W=14
!gone example.test/alice cur/1001.B.host,S=14,W=14:2,
!exists example.test/alice cur/1002.C.host,S=14,W=14:2,
!exists example.test/alice cur/1003.D.host,S=14,W=14:2,FRS
!exists example.test/alice cur/1004.E.host,S=14,W=14:2,RS
!exists example.test/alice cur/1005.F.host,S=14,W=14:2,FSa
!exists example.test/alice cur/1006.G.host,S=14,W=14:2,S
!exists example.test/alice cur/1007.H.host,S=14,W=14:2,D
!count example.test/alice new 0
!exists example.test/alice new/.0999.junk
!exists example.test/alice cur/.0999.junk:2,
!exists example.test/alice tmp/0999.T.host
!count example.test/alice cur 7
!log event=update result=ok deleted=1 retrieved=5
