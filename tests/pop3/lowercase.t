# Keywords are case-insensitive (RFC 1939 3); arguments keep their case.
!file users alice@example.test:MiXed\n
!msg example.test/alice new/1000.A.host,S=21,W=21 Subject: a\r\n\r\nx\r\ny\r\n
S: +OK cartero POP3 ready *
C: user alice@example.test
S: +OK Send PASS
C: pass mixed
S: -ERR [AUTH] Authentication failed
C: uSeR alice@example.test
S: +OK Send PASS
C: Pass MiXed
S: +OK maildrop has 1 messages (21 octets)
C: stat
S: +OK 1 21
C: list
S: +OK Scan listing follows
S: 1 21
S: .
C: list 1
S: +OK 1 21
C: uidl
S: +OK Unique-ID listing follows
S: 1 1000.A.host
S: .
C: uidl 1
S: +OK 1 1000.A.host
C: top 1 1
S: +OK 21 octets
S: Subject: a
S:
S: x
S: .
C: retr 1
S: +OK 21 octets
S: Subject: a
S:
S: x
S: y
S: .
C: noop
S: +OK
C: dele 1
S: +OK Message deleted
C: rset
S: +OK maildrop has 1 messages (21 octets)
C: dele 1
S: +OK Message deleted
C: quit
S: +OK cartero POP3 signing off (0 messages left)
S: <EOF>
!gone example.test/alice new/1000.A.host,S=21,W=21
!count example.test/alice new 0
!count example.test/alice cur 0
