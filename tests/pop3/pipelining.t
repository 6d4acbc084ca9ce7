# PIPELINING (RFC 2449 6.6): commands sent in one write are answered one by
# one, in order, each as if sent alone (a failed one does not stop the
# rest, a USER/PASS pair logs in mid-batch).
!file users alice@example.test:s3cret\n
!msg example.test/alice new/1000.A.host,S=20,W=20 Subject: a\r\n\r\nbody\r\n
!msg example.test/alice new/1001.B.host,S=14,W=14 Subject: b\r\n\r\n
S: +OK cartero POP3 ready *
C: CAPA
C: STAT
C: USER alice@example.test
C: PASS s3cret
C: STAT
C: LIST
C: RETR 1
C: RETR 7
C: DELE 1
C: UIDL
C: TOP 2 0
C: NOOP
C: QUIT
S: +OK Capability list follows
S: TOP
S: USER
S: UIDL
S: PIPELINING
S: RESP-CODES
S: AUTH-RESP-CODE
S: SASL PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256
S: IMPLEMENTATION cartero
S: .
S: -ERR Command not valid in this state
S: +OK Send PASS
S: +OK maildrop has 2 messages (34 octets)
S: +OK 2 34
S: +OK Scan listing follows
S: 1 20
S: 2 14
S: .
S: +OK 20 octets
S: Subject: a
S:
S: body
S: .
S: -ERR No such message
S: +OK Message deleted
S: +OK Unique-ID listing follows
S: 2 1001.B.host
S: .
S: +OK 14 octets
S: Subject: b
S:
S: .
S: +OK
S: +OK cartero POP3 signing off (1 messages left)
S: <EOF>
!gone example.test/alice new/1000.A.host,S=20,W=20
!exists example.test/alice cur/1001.B.host,S=14,W=14:2,
!count example.test/alice new 0
!count example.test/alice cur 1
