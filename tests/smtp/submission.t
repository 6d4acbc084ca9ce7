# --submission (RFC 6409): MAIL needs AUTH first, and no AUTH mechanism
# exists yet, so every MAIL is 530 5.7.0.
!args --submission
!user example.test/alice
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<alice@example.test>
S: 530 5.7.0 Authentication required
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Need MAIL command first
C: DATA
S: 503 5.5.1 Need MAIL command first
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 0
!log mode=submission
!log code=530 status=5.7.0 cmd=MAIL
