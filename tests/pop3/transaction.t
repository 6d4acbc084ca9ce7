# Every TRANSACTION command (RFC 1939 5, 7): STAT, LIST, LIST n, UIDL,
# UIDL n, RETR, DELE, NOOP, RSET, and deleted messages dropping out of
# STAT/LIST/UIDL until RSET brings them back.
!file users alice@example.test:s3cret\n
!msg example.test/alice new/1000.A.host,S=26,W=26 Subject: a\r\n\r\nbody a\r\n
!msg example.test/alice new/1001.B.host,S=28,W=28 Subject: bb\r\n\r\nbody bb\r\n
!msg example.test/alice cur/1002.C.host,S=30,W=30:2,S Subject: ccc\r\n\r\nbody ccc\r\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 3 messages (84 octets)
C: STAT
S: +OK 3 84
C: LIST
S: +OK Scan listing follows
S: 1 26
S: 2 28
S: 3 30
S: .
C: LIST 2
S: +OK 2 28
C: UIDL
S: +OK Unique-ID listing follows
S: 1 1000.A.host
S: 2 1001.B.host
S: 3 1002.C.host
S: .
C: UIDL 3
S: +OK 3 1002.C.host
C: RETR 2
S: +OK 28 octets
S: Subject: bb
S:
S: body bb
S: .
C: NOOP
S: +OK
C: DELE 2
S: +OK Message deleted
C: STAT
S: +OK 2 56
C: LIST
S: +OK Scan listing follows
S: 1 26
S: 3 30
S: .
C: UIDL
S: +OK Unique-ID listing follows
S: 1 1000.A.host
S: 3 1002.C.host
S: .
C: LIST 2
S: -ERR Message already deleted
C: UIDL 2
S: -ERR Message already deleted
C: RETR 2
S: -ERR Message already deleted
C: TOP 2 0
S: -ERR Message already deleted
C: DELE 2
S: -ERR Message already deleted
C: DELE 1
S: +OK Message deleted
C: STAT
S: +OK 1 30
C: RSET
S: +OK maildrop has 3 messages (84 octets)
C: STAT
S: +OK 3 84
C: LIST 2
S: +OK 2 28
C: DELE 3
S: +OK Message deleted
C: QUIT
S: +OK cartero POP3 signing off (2 messages left)
S: <EOF>
!gone example.test/alice cur/1002.C.host,S=30,W=30:2,S
!exists example.test/alice cur/1000.A.host,S=26,W=26:2,
!exists example.test/alice cur/1001.B.host,S=28,W=28:2,S
!count example.test/alice new 0
!count example.test/alice cur 2
!log event=update result=ok deleted=1 retrieved=1
