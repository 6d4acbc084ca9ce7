# The client goes silent in the middle of an AUTH exchange (after the
# "334 " challenge): the session timeout applies as anywhere else,
# "421 4.4.2 Timeout exceeded, closing connection" and reason=timeout.
# NOTE: the expected "S: 334 " line ends with a space.
# Users for these transcripts (users file, passwd plugin):
#   alice@example.test  {PLAIN}        s3cr3t-alice
#   bob@example.test    {SHA512-CRYPT} hunter2-bob
!file users alice@example.test:{PLAIN}s3cr3t-alice\n
!file users bob@example.test:{SHA512-CRYPT}$6$cArTeRoSaLt$tpkvHGnNqEpdUUH.SwewQYNs.2vdlujkPgqTXy55BK8Q8Cuub2cYNXvFqzFod4dIYjCd9Qju6B6eK7JsmInAp0\n
!conf [smtpd]
!conf auth = passwd
!conf auth_requires_tls = no
!conf auth_delay = 50
!conf timeout = 1
!conf [plugin passwd]
!conf file = users
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250-AUTH PLAIN LOGIN*
S: 250 CHUNKING
C: AUTH PLAIN
S: 334 
!sleep 2
S: 421 4.4.2 Timeout exceeded, closing connection
S: <EOF>
!log reason=timeout
