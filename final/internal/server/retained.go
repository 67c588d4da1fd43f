package server

import (
	"fmt"
	"strconv"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrorInfo of a consume below the records the log retains: the Reason a
// client can switch on, and the Metadata key of the lowest offset it can
// consume from.
const (
	reasonOffsetNotRetained = "OFFSET_NOT_RETAINED"
	metadataLowestOffset    = "lowest_offset"
)

// notRetainedStatus is what a consume of offset ends with when the log no
// longer holds it: it was below the log's lowest offset, lowest, because
// retention (or a truncation) dropped it. Code OutOfRange, as for an
// offset past the end, but with a message naming lowest and an ErrorInfo
// detail carrying it, so that a client can tell "gone" from "not yet" and
// go on from lowest.
func notRetainedStatus(offset, lowest uint64) error {
	st := status.New(codes.OutOfRange, fmt.Sprintf("offset %d is no longer in the log: the lowest offset it retains is %d; consume from there", offset, lowest))
	withInfo, err := st.WithDetails(&errdetails.ErrorInfo{
		Reason:   reasonOffsetNotRetained,
		Domain:   errorDomain,
		Metadata: map[string]string{metadataLowestOffset: strconv.FormatUint(lowest, 10)},
	})
	if err != nil {
		// WithDetails fails only if the detail cannot be marshalled, which
		// an ErrorInfo always can: the code and message still say it all.
		return st.Err()
	}
	return withInfo.Err()
}
