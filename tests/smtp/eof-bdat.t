# The client goes away in the middle of a BDAT chunk: nothing is stored.
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
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C> BDAT 100 LAST\r\nonly part of it\r\n
!shutdown
S: <EOF>
!mail example.test/alice 0
!tmp-empty example.test/alice
!log reason=eof messages=0
