# DELE, RSET, QUIT: UPDATE removes nothing; new/ messages still move to
# cur/ with ":2," (RFC-NOTES 4.2), the one retrieved with ":2,S".
!file users alice@example.test:s3cret\n
!msg example.test/alice new/1000.A.host,S=14,W=14 Subject: a\r\n\r\n
!msg example.test/alice new/1001.B.host,S=14,W=14 Subject: b\r\n\r\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 2 messages (28 octets)
C: RETR 1
S: +OK 14 octets
S: Subject: a
S:
S: .
C: DELE 1
S: +OK Message deleted
C: DELE 2
S: +OK Message deleted
C: RSET
S: +OK maildrop has 2 messages (28 octets)
C: QUIT
S: +OK cartero POP3 signing off (2 messages left)
S: <EOF>
!exists example.test/alice cur/1000.A.host,S=14,W=14:2,S
!exists example.test/alice cur/1001.B.host,S=14,W=14:2,
!count example.test/alice new 0
!count example.test/alice cur 2
!log event=update result=ok deleted=0 retrieved=1
