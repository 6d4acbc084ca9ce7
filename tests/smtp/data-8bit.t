# 8-bit octets pass through untouched, with or without BODY=8BITMIME;
# so do tabs and a "." inside a line.
!user example.test/alice
!user example.test/bob
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<carol@example.net> BODY=8BITMIME
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C> Subject: caf\xc3\xa9\r\n\r\n\xc3\xa9\xff\x80\ttab . dot\r\n.\r\n
S: 250 2.0.0 Ok: queued as *
C: MAIL FROM:<carol@example.net>
S: 250 2.1.0 Sender ok
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C> \xc3\xa9t\xc3\xa9\r\n.\r\n
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!body example.test/alice Subject: caf\xc3\xa9\r\n\r\n\xc3\xa9\xff\x80\ttab . dot\r\n
!body example.test/bob \xc3\xa9t\xc3\xa9\r\n
