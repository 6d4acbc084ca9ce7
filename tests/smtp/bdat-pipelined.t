# MAIL, RCPT, BDAT LAST and QUIT in one write, as a CHUNKING client sends
# them: four replies in order, one message.
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
C> MAIL FROM:<bob@example.net>\r\nRCPT TO:<alice@example.test>\r\nBDAT 6 LAST\r\nhi\r\n\r\nQUIT\r\n
S: 250 2.1.0 Sender ok
S: 250 2.1.5 Recipient ok
S: 250 2.0.0 Ok: queued as *
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!body example.test/alice hi\r\n\r\n
