# Commands out of order get 503 and change nothing; DATA with no accepted
# recipient is 554 5.5.1; a bad RSET/DATA argument is 501.
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
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Need MAIL command first
C: DATA
S: 503 5.5.1 Need MAIL command first
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: MAIL FROM:<bob@example.net>
S: 503 5.5.1 Sender already specified
C: DATA
S: 554 5.5.1 No valid recipients
C: RCPT TO:<nobody@example.test>
S: 550 5.1.1 No such user here
C: DATA
S: 554 5.5.1 No valid recipients
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA now
S: 501 5.5.4 This command takes no argument
C: RSET now
S: 501 5.5.4 This command takes no argument
C: RSET
S: 250 2.0.0 Reset state
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Need MAIL command first
C: DATA
S: 503 5.5.1 Need MAIL command first
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 0
!log code=554 status=5.5.1 cmd=DATA text="No valid recipients"
!log code=503 status=5.5.1 cmd=MAIL text="Sender already specified"
