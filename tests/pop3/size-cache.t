# Sizes of messages without ,W= are counted once and kept in
# .cartero-sizes: a cached size is used as is (here a deliberately odd 77),
# an uncached one is counted and added.
!file users alice@example.test:pw\n
!msg example.test/alice .cartero-sizes 3000.X.host 77\n
!msg example.test/alice new/3000.X.host a\nb\n
!msg example.test/alice new/3001.Y.host c\nd\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS pw
S: +OK maildrop has 2 messages (83 octets)
C: LIST
S: +OK Scan listing follows
S: 1 77
S: 2 6
S: .
C: QUIT
S: +OK *
!exists example.test/alice .cartero-sizes
