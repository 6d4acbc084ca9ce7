# The exact bytes of RETR on an LF-stored message: CRLF everywhere, and
# the final dot line right after the added line end.
!file users alice@example.test:s3cret\n
!msg example.test/alice new/2000.C.host a\n..\nb
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: PASS s3cret
S: +OK maildrop has 1 messages (9 octets)
C: RETR 1
S: +OK 9 octets
S: a
S: ...
S: b
S: .
C: QUIT
S: +OK cartero POP3 signing off (1 messages left)
S: <EOF>
