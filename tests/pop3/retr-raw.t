# RETR on an LF-stored message without a final newline: CRLF everywhere,
# the ".." line stuffed, the last line ended; LIST counts the 10 octets
# sent (a\r\n ..\r\n b\r\n), not the stuffing dot.
!file users alice@example.test:s3cret\n
!msg example.test/alice new/2000.C.host a\n..\nb
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 1 messages (10 octets)
C: RETR 1
S: +OK 10 octets
S: a
S: ...
S: b
S: .
C: QUIT
S: +OK cartero POP3 signing off (1 messages left)
S: <EOF>
