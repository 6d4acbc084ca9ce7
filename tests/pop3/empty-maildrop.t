# A known user without a maildrop yet logs in to an empty one (made on
# demand, like delivery does): every listing is empty, every number is
# out of range.
!file users bob@example.test:pw\n
S: +OK cartero POP3 ready *
C: USER bob@example.test
S: +OK Send PASS
C: PASS pw
S: +OK maildrop has 0 messages (0 octets)
C: STAT
S: +OK 0 0
C: LIST
S: +OK Scan listing follows
S: .
C: UIDL
S: +OK Unique-ID listing follows
S: .
C: LIST 1
S: -ERR No such message
C: RETR 1
S: -ERR No such message
C: RSET
S: +OK maildrop has 0 messages (0 octets)
C: QUIT
S: +OK cartero POP3 signing off (0 messages left)
S: <EOF>
!exists example.test/bob new
!exists example.test/bob cur
!count example.test/bob cur 0
