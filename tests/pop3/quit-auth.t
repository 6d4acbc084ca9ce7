# QUIT in AUTHORIZATION ends the session without UPDATE (RFC 1939 4, 6):
# even after a USER, nothing in the maildrop moves.
!file users alice@example.test:s3cret\n
!msg example.test/alice new/1000.A.host,S=14,W=14 Subject: a\r\n\r\n
!msg example.test/alice cur/1001.B.host,S=14,W=14:2,F Subject: b\r\n\r\n
S: +OK cartero POP3 ready *
C: USER alice@example.test
S: +OK Send PASS
C: quit
S: +OK cartero POP3 signing off
S: <EOF>
!exists example.test/alice new/1000.A.host,S=14,W=14
!exists example.test/alice cur/1001.B.host,S=14,W=14:2,F
!count example.test/alice new 1
!count example.test/alice cur 1
!nolog event=update
!log reason=quit
