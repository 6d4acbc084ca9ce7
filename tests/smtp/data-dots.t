# Dot-unstuffing (RFC 5321 4.5.2): a leading dot is removed from every
# line that has one ("..", "..x", ".hidden", "..."); dots elsewhere stay.
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
C: DATA
S: 354 *
C: Subject: dots
C:
C: ..
C: ..x
C: .hidden
C: ...
C:  .
C: x.
C: a.b
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!body example.test/alice Subject: dots\r\n\r\n.\r\n.x\r\nhidden\r\n..\r\n .\r\nx.\r\na.b\r\n
