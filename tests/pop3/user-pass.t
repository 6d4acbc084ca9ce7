# USER/PASS (RFC 1939 7): USER always answers +OK (it must not reveal who
# exists), a later USER replaces an earlier one, PASS takes the rest of the
# line so a password may hold spaces, and the password is never logged.
!file users alice@example.test:s3cret\ncarol@example.test:two  words here\n
!msg example.test/carol new/1000.A.host,S=14,W=14 Subject: c\r\n\r\n
S: +OK cartero POP3 ready <*.*@mx.example.test>
C: USER nobody@example.test
S: +OK Send PASS
C: USER alice@example.test
S: +OK Send PASS
C: USER carol@example.test
S: +OK Send PASS
C: PASS two  words here
S: +OK maildrop has 1 messages (14 octets)
C: STAT
S: +OK 1 14
C: QUIT
S: +OK cartero POP3 signing off (1 messages left)
S: <EOF>
!log event=auth result=ok user="carol@example.test"
!nolog words here
!nolog s3cret
!count example.test/carol new 0
!exists example.test/carol cur/1000.A.host,S=14,W=14:2,
