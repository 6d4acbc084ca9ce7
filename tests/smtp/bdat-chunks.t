# Several chunks, each acknowledged with its size, a CRLF split across two
# chunks, an empty middle chunk, "last" in lower case.
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
C> BDAT 3\r\nab\r
S: 250 2.0.0 Ok: octets received: 3
C> BDAT 0\r\n
S: 250 2.0.0 Ok: octets received: 0
C> BDAT 5\r\n\ncd\r\n
S: 250 2.0.0 Ok: octets received: 5
C> BDAT 4 last\r\nef\r\n
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!body example.test/alice ab\r\ncd\r\nef\r\n
