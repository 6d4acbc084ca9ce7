# --lmtp (RFC 2033): the greeting says LMTP; LHLO replaces HELO and EHLO,
# which are unknown commands there; MAIL before LHLO is 503.
!args --lmtp
S: 220 mx.example.test LMTP cartero
C: HELO client.example
S: 500 5.5.2 Command not recognized
C: EHLO client.example
S: 500 5.5.2 Command not recognized
C: MAIL FROM:<bob@example.net>
S: 503 5.5.1 Send LHLO first
C: LHLO
S: 501 5.5.4 This command needs an argument
C: LHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: MAIL FROM:<bob@example.net>
S: 250 2.1.0 Sender ok
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log mode=lmtp
!log text="Send LHLO first"
