# A chunk that takes the message past max_message_size: 552 5.3.4, its
# octets are read, later chunks are refused the same way (RFC 3030 2),
# and LAST ends the failed transaction; nothing is stored.
!user example.test/alice
!conf [smtpd]
!conf max_message_size = 10
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
C> BDAT 6\r\nabcdef
S: 250 2.0.0 Ok: octets received: 6
C> BDAT 6\r\nQUIT\r\n
S: 552 5.3.4 Message size exceeds fixed maximum message size
C> BDAT 2\r\nab
S: 552 5.3.4 Message size exceeds fixed maximum message size
C> BDAT 2 LAST\r\n\r\n
S: 552 5.3.4 Message size exceeds fixed maximum message size
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C> BDAT 20 LAST\r\n0123456789QUIT\r\n6789
S: 552 5.3.4 Message size exceeds fixed maximum message size
C: NOOP
S: 250 2.0.0 Ok
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C> BDAT 10 LAST\r\n12345678\r\n
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!body example.test/alice 12345678\r\n
!log code=552 status=5.3.4 cmd=BDAT
