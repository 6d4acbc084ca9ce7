# The CRLF before the terminating dot belongs to the message (RFC 5321
# 4.1.1.4): "text" then CRLF.CRLF stores "text<CR><LF>"; an empty last
# line is kept; a message that is one empty line is one CRLF.
!user example.test/alice
!user example.test/bob
!user example.test/carol
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<dave@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C> no newline of its own\r\n.\r\n
S: 250 2.0.0 Ok: queued as *
C: MAIL FROM:<dave@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C> last line empty\r\n\r\n.\r\n
S: 250 2.0.0 Ok: queued as *
C: MAIL FROM:<dave@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<carol@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C> \r\n.\r\n
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!body example.test/alice no newline of its own\r\n
!body example.test/bob last line empty\r\n\r\n
!body example.test/carol \r\n
