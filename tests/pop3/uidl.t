# UIDL (RFC 1939 7): the unique part of the name (before ',' or ':'),
# 1 to 70 characters in 0x21-0x7E; a longer or non-ASCII unique part is
# replaced by "h" and its 64-bit FNV-1a hash in hex.  Listing and
# single-message forms agree.
!file users alice@example.test:s3cret\n
!msg example.test/alice new/1000.LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL.host,S=14,W=14 Subject: a\r\n\r\n
!msg example.test/alice cur/1001.MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM.host:2,S Subject: b\r\n\r\n
!msg example.test/alice new/1002.é.host,S=14,W=14 Subject: c\r\n\r\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 3 messages (42 octets)
C: UIDL
S: +OK Unique-ID listing follows
S: 1 h25355641a3148cba
S: 2 1001.MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM.host
S: 3 h86d675abba0330a0
S: .
C: UIDL 1
S: +OK 1 h25355641a3148cba
C: UIDL 2
S: +OK 2 1001.MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM.host
C: UIDL 3
S: +OK 3 h86d675abba0330a0
C: QUIT
S: +OK cartero POP3 signing off (3 messages left)
S: <EOF>
!exists example.test/alice cur/1000.LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL.host,S=14,W=14:2,
!exists example.test/alice cur/1002.é.host,S=14,W=14:2,
!exists example.test/alice cur/1001.MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM.host:2,S
