# The autologout timer closes without a reply and without UPDATE (RFC 1939 3).
!pop3d timeout = 1
!file users alice@example.test:pw\n
!msg example.test/alice new/1.A.h,S=4,W=4 x\r\n\r\n
S: +OK *
C: USER alice@example.test
S: +OK Send PASS
C: PASS pw
S: +OK maildrop has 1 messages (4 octets)
C: DELE 1
S: +OK Message deleted
S: <EOF>
!exists example.test/alice new/1.A.h,S=4,W=4
!log reason=timeout
