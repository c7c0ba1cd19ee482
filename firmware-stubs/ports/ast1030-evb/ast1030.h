/**
 * @file
 * @brief The Aspeed AST1030 registers this port uses: UART5 (a 16550), the I2C controller (old
 *        register mode, byte buffer), SPI1 in user mode, and GPIO set ABCD. Addresses from the
 *        AST1030's memory map as QEMU's `ast1030-evb` machine builds it (hw/arm/aspeed_ast10x0.c)
 *        and Aspeed's register layout (the AST2600 family's, which the AST1030 shares); bits as
 *        QEMU models them (hw/i2c/aspeed_i2c.c, hw/ssi/aspeed_smc.c, hw/gpio/aspeed_gpio.c).
 *
 * On silicon the SCU must also release the controllers from reset, ungate their clocks and
 * route their pins (multi-function pin control); QEMU models none of that, and this port does
 * not do it: see docs/porting.md for what a board port adds.
 */
#ifndef AST1030_H
#define AST1030_H

#include "cortex_m.h"

#define REG8(addr) (*(volatile uint8_t *)(uintptr_t)(addr))

/* IRQ numbers (vector = 16 + IRQ). */
#define IRQ_UART5 8u
#define IRQ_GPIO 11u
/** @brief Interrupts the vector table has entries for: the AST1030's first 144 (I2C 110-123 and KCS 138-142 included). */
#define AST1030_IRQS 144u

/* ---------------------------------------------------------------- UART5: a 16550, registers 4 bytes apart */

#define UART5_BASE 0x7E784000u
#define UART_RBR REG32(UART5_BASE + 0x00u)    /* read: receive buffer */
#define UART_THR REG32(UART5_BASE + 0x00u)    /* write: transmit holding */
#define UART_DLL REG32(UART5_BASE + 0x00u)    /* with LCR.DLAB: divisor low */
#define UART_IER REG32(UART5_BASE + 0x04u)
#define UART_DLM REG32(UART5_BASE + 0x04u)    /* with LCR.DLAB: divisor high */
#define UART_IER_RDI (1u << 0)                /* received data (and receive timeout) */
#define UART_FCR REG32(UART5_BASE + 0x08u)    /* write: FIFO control */
#define UART_FCR_ENABLE (1u << 0)
#define UART_FCR_CLEAR_RX (1u << 1)
#define UART_FCR_CLEAR_TX (1u << 2)
#define UART_FCR_TRIGGER_14 (3u << 6)         /* interrupt at 14 bytes, or at the receive timeout */
#define UART_LCR REG32(UART5_BASE + 0x0Cu)
#define UART_LCR_8N1 0x03u
#define UART_LCR_DLAB (1u << 7)
#define UART_LSR REG32(UART5_BASE + 0x14u)
#define UART_LSR_DR (1u << 0)                 /* data ready */
#define UART_LSR_THRE (1u << 5)               /* transmit FIFO empty */
#define UART_LSR_TEMT (1u << 6)               /* transmitter idle */
/** @brief Bytes the transmit FIFO takes once THRE says it is empty. */
#define UART_TX_FIFO_BYTES 16u

/* ---------------------------------------------------------------- I2C controller */

#define I2C_BASE 0x7E7B0000u
#define I2C_GLOBAL REG32(I2C_BASE + 0x0Cu)    /* bit 2: new register mode; 0 selects the old (byte) mode */
/** @brief Registers of bus @p n (0..13): 0x80 bytes each, after the global ones. */
#define I2C_BUS_BASE(n) (I2C_BASE + 0x80u * ((uint32_t)(n) + 1u))
#define I2C_BUSES 14u
#define I2CD_FUN_CTRL 0x00u
#define I2CD_FUN_MASTER_EN (1u << 0)
#define I2CD_INTR_CTRL 0x0Cu
#define I2CD_INTR_STS 0x10u                   /* write 1 to clear */
#define I2CD_TX_ACK (1u << 0)
#define I2CD_TX_NAK (1u << 1)
#define I2CD_RX_DONE (1u << 2)
#define I2CD_ARBIT_LOSS (1u << 3)
#define I2CD_NORMAL_STOP (1u << 4)
#define I2CD_ABNORMAL (1u << 5)
#define I2CD_SCL_TIMEOUT (1u << 6)
#define I2CD_BUS_RECOVER_DONE (1u << 13)
#define I2CD_CMD 0x14u
#define I2CD_M_START (1u << 0)
#define I2CD_M_TX (1u << 1)
#define I2CD_M_RX (1u << 3)
#define I2CD_M_RX_LAST (1u << 4)              /* receive, then NACK the byte */
#define I2CD_M_STOP (1u << 5)
#define I2CD_BUS_RECOVER (1u << 11)
#define I2CD_BUS_BUSY (1u << 16)
#define I2CD_BYTE_BUF 0x20u                   /* bits 7:0 to send, 15:8 received */

/* ---------------------------------------------------------------- SPI1 (an SMC) in user mode */

#define SPI1_BASE 0x7E630000u
#define SPI_CONF REG32(SPI1_BASE + 0x00u)
#define SPI_CONF_CE0_WRITE (1u << 16)         /* CS0's window may be written */
#define SPI_CE0_CTRL REG32(SPI1_BASE + 0x10u)
#define SPI_CTRL_USER_MODE 3u                 /* bits 1:0: every window access is one byte on the wire */
#define SPI_CTRL_CE_STOP_ACTIVE (1u << 2)     /* 1: chip select inactive (high) */
/** @brief CS0's window: a write sends a byte, a read clocks one in (sending 0x00). */
#define SPI1_CS0_WINDOW 0x90000000u

/* ---------------------------------------------------------------- GPIO, set ABCD (pins A0-D7 are bits 0-31) */

#define GPIO_BASE 0x7E780000u
#define GPIO_ABCD_DATA REG32(GPIO_BASE + 0x000u)
#define GPIO_ABCD_DIR REG32(GPIO_BASE + 0x004u)       /* 1: output */
#define GPIO_ABCD_INT_EN REG32(GPIO_BASE + 0x008u)
#define GPIO_ABCD_INT_SENS0 REG32(GPIO_BASE + 0x00Cu)
#define GPIO_ABCD_INT_SENS1 REG32(GPIO_BASE + 0x010u)
#define GPIO_ABCD_INT_SENS2 REG32(GPIO_BASE + 0x014u) /* with SENS0/1 = 0: both edges */
#define GPIO_ABCD_INT_STATUS REG32(GPIO_BASE + 0x018u) /* write 1 to clear */

#endif /* AST1030_H */
