# POP3: an unusable certificate makes STLS fail with -ERR before any
# "+OK Begin", and the session goes on.
!file users alice@example.test:pw\n
!file cert.pem garbage\n
!file key.pem garbage\n
!conf [tls]
!conf cert = cert.pem
!conf key = key.pem
S: +OK *
C: STLS
S: -ERR [SYS/TEMP] TLS not available
C: USER alice@example.test
S: +OK Send PASS
C: QUIT
S: +OK *
!log event=tls-failed
