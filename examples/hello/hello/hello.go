// Package hello is the example plugin's command family.
package hello

import (
	"context"
	"fmt"

	"github.com/qgad/qgad/qapi"
	"github.com/qgad/qgad/sdk"
)

// Name is the family name.
const Name = "com.example.hello"

type helloArgs struct {
	Name *string `json:"name"`
}

type greeting struct {
	Greeting string `json:"greeting"`
}

// New builds the family.
func New(env sdk.Env) (*sdk.Plugin, error) {
	return &sdk.Plugin{
		Name:    Name,
		Version: "1.0.0",
		Commands: []sdk.Command{{
			Name:    "__com.example_hello",
			Doc:     "Greet someone by name.",
			Args:    []qapi.Field{qapi.Opt("name", qapi.String)},
			Returns: qapi.Struct("ExampleGreeting", qapi.Req("greeting", qapi.String)),
			Run: sdk.Handle(func(_ context.Context, a helloArgs) (greeting, error) {
				who := "world"
				if a.Name != nil {
					if *a.Name == "" {
						return greeting{}, qapi.Errorf("name must not be empty")
					}
					who = *a.Name
				}
				return greeting{Greeting: fmt.Sprintf("Hello, %s!", who)}, nil
			}),
		}},
	}, nil
}
