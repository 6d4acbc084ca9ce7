# BDAT with no accepted recipient: 554 5.5.1, octets read anyway; the
# sender stays, so a recipient can still be added and the mail sent.
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
C: RCPT TO:<nobody@example.test>
S: 550 5.1.1 No such user here
C> BDAT 6 LAST\r\nQUIT\r\n
S: 554 5.5.1 No valid recipients
C: NOOP
S: 250 2.0.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C> BDAT 4 LAST\r\nhi\r\n
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!body example.test/alice hi\r\n
!header example.test/alice Return-Path: <bob@example.net>
