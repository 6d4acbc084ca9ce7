# A client that stops in the middle of DATA: 421 4.4.2, nothing stored,
# nothing left in tmp/.
!user example.test/alice
!conf [smtpd]
!conf timeout = 1
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: Subject: never finished
C:
C: half a message
S: 421 4.4.2 Timeout exceeded, closing connection
S: <EOF>
!mail example.test/alice 0
!tmp-empty example.test/alice
!log reason=timeout messages=0
!nolog event=stored
